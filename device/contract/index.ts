/** The wire contract: payload schema and type, topic layout, validation. One module, used everywhere. */
export * from './topics.ts';
export * from './measurements.ts';
export * from './vitals-v1.ts';
export * from './validate.ts';
export { encodeVitals } from './encode.ts';
