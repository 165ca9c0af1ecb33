/**
 * After `vite build`: copies Scalar's standalone script, the API's `/docs` page's
 * (packages/functions/src/routes/reference.ts), into the build at the path the page names, so the
 * web app's origin serves it and the API Lambda does not carry 4.9 MB it reads once a page view
 * (docs/decisions.md, "Lambdas under 1 MiB"). Not precached by the service worker: it names the
 * build's files at `vite build`, before this step.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { apiReferenceScriptFromEntry, apiReferenceScriptPath } from "@agorusta/functions/http/apiReference";

// The installed file sits in the package's dist/, beside the entry's directory.
const installed = join(dirname(createRequire(import.meta.url).resolve("@scalar/api-reference")), apiReferenceScriptFromEntry);
const target = join(fileURLToPath(new URL("../build", import.meta.url)), apiReferenceScriptPath);
mkdirSync(dirname(target), { recursive: true });
copyFileSync(installed, target);
console.log(`Copied the API reference's script to build${apiReferenceScriptPath}.`);
