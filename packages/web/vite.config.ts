import { sveltekit } from "@sveltejs/kit/vite";
import adapter from "@sveltejs/adapter-static";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [
    sveltekit({
      // A single-page app: every route falls back to index.html, served by the local runtime or a CDN.
      adapter: adapter({ fallback: "index.html" }),
    }),
  ],
});
