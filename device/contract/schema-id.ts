/**
 * The schema id of wire contract v1, in a module of its own: the monitors stamp it on every message and
 * need nothing else of the schema module, whose zod definitions cost a fleet worker several MiB of heap.
 */
export const VITALS_SCHEMA_ID = 'vitals/1';
