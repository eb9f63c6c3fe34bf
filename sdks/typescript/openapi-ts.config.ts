// The generated client (src/generated) from Grove's committed OpenAPI document.
// `npm run generate` rewrites it; CI fails when the committed copy is stale.
export default {
  input: "../../openapi/openapi.json",
  output: { path: "src/generated", postProcess: [] },
  plugins: ["@hey-api/client-fetch", "@hey-api/typescript", "@hey-api/sdk"],
};
