/** ElectroDB's internal checks module (no types of its own): what model/modelChecks.ts replaces. */
declare module "electrodb/src/validations.js" {
  const validations: {
    model(model: unknown): void;
    testModel(model: unknown): [boolean, string];
  };
  export default validations;
}
