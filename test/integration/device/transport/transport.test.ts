import { loadTransportFactory } from '../../../../device/transport/index.ts';
import { transportContract } from './transport-contract.ts';

transportContract('mqtt.js MQTT 3.1.1', () => loadTransportFactory('mqtt'), 4);
transportContract('mqtt.js MQTT 5', () => loadTransportFactory('mqtt'), 5);
transportContract('aws-crt MQTT 3.1.1', () => loadTransportFactory('crt'), 4);
transportContract('aws-crt MQTT 5', () => loadTransportFactory('crt'), 5);
transportContract('lite MQTT 3.1.1', () => loadTransportFactory('lite'), 4);
