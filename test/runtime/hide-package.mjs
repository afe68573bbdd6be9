// `node --import ./hide-package.mjs`: makes one package unresolvable (HIDE_PACKAGE=name), to test
// how a missing optional dependency is reported without uninstalling it.
import { register } from 'node:module';

register(`data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === ${JSON.stringify(process.env.HIDE_PACKAGE ?? '')}) {
    const e = new Error("Cannot find package '" + specifier + "' (hidden by the test)");
    e.code = 'ERR_MODULE_NOT_FOUND';
    throw e;
  }
  return next(specifier, context);
}`)}`);
