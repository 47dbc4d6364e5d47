// `node --import tsx --import ./test/support/hide-module.mjs ...`: registered after tsx, so these hooks run first.
import { register } from 'node:module';

register('./hide-module-hooks.mjs', import.meta.url);
