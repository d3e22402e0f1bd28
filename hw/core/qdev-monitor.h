/*
 * hw/core/qdev-monitor.h: creating devices from -device / device_add
 * strings, and listing them for `-device help`.
 *
 * Threads: the main thread.
 */
#ifndef HW_CORE_QDEV_MONITOR_H
#define HW_CORE_QDEV_MONITOR_H

#include "hw/core/qdev.h"

/*
 * qdev_device_add: create, configure and realize a device from an option
 * string "DRIVER[,id=ID][,bus=BUS][,PROP=VALUE...]".  The device becomes
 * /peripheral/ID (or /peripheral-anon/device[N]) under @machine, plugged
 * into bus BUS (a bus name such as "vser0.0" or a QOM path), or else into
 * the first bus of its type with room.  Returns the device (owned by the
 * tree) or NULL with @errp set; nothing is left behind on failure.
 * Errors, as QEMU words them: "'X' is not a valid device model name",
 * "Parameter 'driver' is missing", "Parameter 'id' expects an identifier",
 * "Duplicate ID 'X' for device", "Bus 'X' not found", "No 'T' bus found for
 * device 'D'", property errors, and the device's own realize errors.
 */
DeviceState *qdev_device_add(Object *machine, const char *optstr, GError **errp);

/*
 * qdev_device_help: if @optstr asks for help ("help", "?", "DRIVER,help"),
 * append the list of devices or DRIVER's properties to @out and return
 * true.  Returns false if it is not a help request.  An unknown DRIVER
 * sets @errp (and returns true: the request was for help).
 */
bool qdev_device_help(const char *optstr, GString *out, GError **errp);

/*
 * qdev_device_del: unrealize and remove the device with id @id.  Errors:
 * "Device 'X' not found", "Bus 'B' does not support hotplugging" (when
 * the device is not hotpluggable).
 */
bool qdev_device_del(Object *machine, const char *id, GError **errp);

/* qdev_find_by_id: the device /peripheral/ID under @machine, or NULL. */
DeviceState *qdev_find_by_id(Object *machine, const char *id);

/* id_wellformed: letters, digits, '-', '.', '_', starting with a letter. */
bool id_wellformed(const char *id);

#endif /* HW_CORE_QDEV_MONITOR_H */
