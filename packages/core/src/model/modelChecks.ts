/**
 * ElectroDB checks each model against a JSON schema (the `jsonschema` package) as an Entity is
 * built, twice (as a "beta" model, then as a v1 one), and again when the Service joins the Entity
 * (a "model or instance?" test that validates the instance against the same schemas). For our 36
 * static models that was ≈ 35% of the API Lambda's cold import CPU (docs/performance.md,
 * "Bundles"). Every test run builds the models with the checks on, so a deployed function learns
 * nothing by repeating them at each cold start: the Lambdas turn them off (functions/config.ts).
 */
/// <reference path="./electrodb-validations.d.ts" />
// ElectroDB's own module, which its Entity and Service call through at each use (no package
// `exports` keep it private); esbuild and Node both resolve it to the one instance ElectroDB uses.
import validations from "electrodb/src/validations.js";

let skipped = false;

/** From now on in this process, models are trusted as written; an Entity instance is known for one without a schema check. */
export function skipModelChecks(): void {
  if (skipped) return;
  skipped = true;
  const testModel = validations.testModel;
  validations.model = () => undefined;
  // Its only caller asks "model or Entity instance?"; an instance carries ElectroDB's `_instance` mark.
  validations.testModel = (candidate: unknown) =>
    (candidate as { _instance?: unknown } | null | undefined)?._instance === undefined ? testModel(candidate) : [false, "an Entity instance"];
}
