/** The Device of a monitor and the Patient of a pseudonym (pure). A Patient carries the pseudonym only. */
import { SYSTEMS } from './codes.ts';
import { deviceId, patientId } from './ids.ts';
import type { Device, Patient } from './types.ts';

export function monitorDevice(thingName: string): Device {
  return {
    resourceType: 'Device',
    id: deviceId(thingName),
    identifier: [{ system: SYSTEMS.thingName, value: thingName }],
    deviceName: [{ name: thingName, type: 'user-friendly-name' }],
    type: { text: 'Bedside vital signs monitor' },
  };
}

export function pseudonymousPatient(patientKey: string): Patient {
  return {
    resourceType: 'Patient',
    id: patientId(patientKey),
    identifier: [{ system: SYSTEMS.patientKey, value: patientKey }],
  };
}
