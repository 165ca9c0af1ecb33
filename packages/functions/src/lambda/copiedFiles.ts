/**
 * Files a Lambda reads at run time that esbuild cannot bundle (it bundles imported code only):
 * SST copies each beside the function's code (`copyFiles`, infra/functions.ts), at `to` under
 * the function's root (`LAMBDA_TASK_ROOT`). Plain data: infra/ and scripts/bundle.ts read it too.
 */

/** Scalar's standalone browser bundle, the `/docs` page's script (routes/reference.ts): `from` is relative to the repository's root. */
export const scalarBundleFile = { from: "node_modules/@scalar/api-reference/dist/browser/standalone.js", to: "scalar/standalone.js" } as const;
