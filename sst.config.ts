/// <reference path="./.sst/platform/config.d.ts" />

export default $config({
  app(input) {
    // Which stages hold data worth keeping is configuration, not a name: AGORUSTA_PROTECT=true or
    // false when deploying decides; without it, the stages the README deploys for real (`prod`,
    // `production`). A protected stage refuses `sst remove`, its table has deletion protection and
    // point-in-time recovery, and outlives a removal. (Inline: nothing can be imported here.)
    const flag = process.env.AGORUSTA_PROTECT?.trim().toLowerCase();
    if (flag && !["true", "false", "1", "0"].includes(flag)) {
      throw new Error(`AGORUSTA_PROTECT must be true or false, not "${process.env.AGORUSTA_PROTECT}".`);
    }
    const protect = flag ? flag === "true" || flag === "1" : ["prod", "production"].includes(input?.stage ?? "");
    return {
      name: "agorusta",
      home: "aws",
      removal: protect ? "retain" : "remove",
      protect,
    };
  },
  async run() {
    // Imported here, not at the top: the `sst` globals infra/ uses exist only inside run().
    const { table } = await import("./infra/storage.ts");
    const { api } = await import("./infra/api.ts");
    const { realtime } = await import("./infra/realtime.ts");
    const { web } = await import("./infra/web.ts");
    const { files } = await import("./infra/files.ts");
    await import("./infra/apiRoutes.ts");
    await import("./infra/purge.ts");
    await import("./infra/push.ts");
    await import("./infra/search.ts");
    return { web: web.url, api: api.url, realtime: realtime.url, table: table.name, files: files.name };
  },
});
