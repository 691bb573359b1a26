/**
 * The one place the playground imports rnnkit. Type-checked against the library's browser entry;
 * scripts/build-playground.mjs rewrites this import to "./rnnkit.js", the shipped bundle
 * (dist/browser/rnnkit.js copied next to the page), so the page runs exactly what users load.
 */
export * from "../../../src/browser.js";
