/**
 * The HTTP API: every request goes to the one Hono Lambda, which routes and answers 404s itself
 * (its route is added in infra/apiRoutes.ts, once the web app's origin is known). API Gateway's
 * own CORS is off (SST's default allows every origin): the app answers CORS for the stage's web
 * origin only (packages/functions/src/app.ts), which API Gateway could not be told without a cycle
 * (the web app is built with the API's URL).
 */
export const api = new sst.aws.ApiGatewayV2("Api", { cors: false });
