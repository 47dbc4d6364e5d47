// Module resolution hooks (node:module register) that make the packages named in HIDE_MODULES
// (comma-separated) unresolvable, as on a machine where npm skipped an optional dependency.
const hidden = (process.env.HIDE_MODULES ?? '').split(',').filter(Boolean);

export async function resolve(specifier, context, nextResolve) {
  if (hidden.some((name) => specifier === name || specifier.startsWith(`${name}/`))) {
    const error = new Error(`Cannot find package '${specifier}' (hidden by test/support/hide-module-hooks.mjs)`);
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return nextResolve(specifier, context);
}
