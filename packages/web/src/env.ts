import { defineEnvVars } from "@sveltejs/kit/env";

// Inlined at build time: the built site is static files, so there is no server to read them later.
// Unset (local `npm start`), the app talks to its own origin's /api and /ws.
const optionalUrl = (value: string | undefined) => (value ? value.replace(/\/+$/, "") : undefined);

export const variables = defineEnvVars({
  PUBLIC_API_URL: {
    public: true,
    static: true,
    schema: optionalUrl,
    description: "Base URL of the REST API (default: this origin's /api).",
  },
  PUBLIC_WS_URL: {
    public: true,
    static: true,
    schema: optionalUrl,
    description: "URL of the WebSocket API (default: this origin's /ws, ws: or wss: by the page's protocol).",
  },
});
