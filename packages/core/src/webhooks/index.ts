export * from "./manage.ts";
export * from "./execute.ts";
export * from "./discordBodies.ts";
