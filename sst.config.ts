/// <reference path="./.sst/platform/config.d.ts" />

export default $config({
  app(input) {
    return {
      name: "agorusta",
      home: "aws",
      // Production keeps its data when removed (and refuses `sst remove`); other stages go cleanly.
      removal: input?.stage === "production" ? "retain" : "remove",
      protect: input?.stage === "production",
    };
  },
  async run() {
    // Imported here, not at the top: the `sst` globals infra/ uses exist only inside run().
    const { table } = await import("./infra/storage.ts");
    const { api } = await import("./infra/api.ts");
    const { realtime } = await import("./infra/realtime.ts");
    const { web } = await import("./infra/web.ts");
    const { files } = await import("./infra/files.ts");
    return { web: web.url, api: api.url, realtime: realtime.url, table: table.name, files: files.name };
  },
});
