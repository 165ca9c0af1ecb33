export * from "./files.ts";
export * from "./storage.ts";
export * from "./s3Store.ts";
export * from "./uploads.ts";
export * from "./present.ts";
export * from "./images.ts";
