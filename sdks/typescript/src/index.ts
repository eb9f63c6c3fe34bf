/**
 * Grove's TypeScript SDK: a thin hand-written facade over the client generated from Grove's
 * committed OpenAPI document (`src/generated`, by @hey-api/openapi-ts; `npm run generate`).
 * ESM, no runtime dependency beyond `fetch`.
 *
 *     const grove = new Grove({ apiKey: "grove_live_…", baseUrl: "http://localhost:8080" });
 *     const answer = await grove.query({ agentId: "agent_…", query: "When do the vents open?" });
 *     for await (const event of grove.stream({ agentId, query })) process.stdout.write(event.delta);
 *
 * Errors throw `GroveError` (with `status`, `code`, `message`, `details`, `requestId`). A 429 is
 * retried after its `Retry-After`, a 5xx or a failed connection after an exponential backoff, up
 * to `maxRetries` times; a 4xx never is.
 */

import { createClient, createConfig, type Client } from "./generated/client/index.js";
import * as api from "./generated/sdk.gen.js";
import type {
  Agent,
  DataSource,
  QueryResponse,
  Run,
  SemanticSearchResults,
  Started,
} from "./generated/types.gen.js";

export type * from "./generated/types.gen.js";

export interface GroveOptions {
  /** A Grove API key (default: the GROVE_API_KEY environment variable). */
  apiKey?: string;
  /** Default http://127.0.0.1:8080 (or GROVE_BASE_URL). */
  baseUrl?: string;
  /** Needed by `search`; read once from the organisation's agents when not given. */
  organizationId?: string;
  /** Retries of a 429 or a 5xx (default 2). */
  maxRetries?: number;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

/** An error answer of the API (its error envelope), or a connection that failed (status 0). */
export class GroveError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly requestId?: string,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = "GroveError";
  }
}

/** One event of a streamed answer: text as it is generated, then the last one (`done`) with the
 * cited sources and the metadata, or the error. */
export interface StreamEvent {
  delta: string;
  done: boolean;
  sources?: QueryResponse["sources"];
  metadata?: QueryResponse["metadata"];
  error?: { code: string; message: string; details?: unknown };
}

const env = (name: string): string | undefined =>
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Milliseconds to wait before retrying, or undefined when the answer must not be retried. */
function retryDelay(response: Response | undefined, attempt: number): number | undefined {
  if (response?.status === 429) {
    const seconds = Number(response.headers.get("retry-after") ?? "1");
    return Math.min(Number.isFinite(seconds) ? seconds : 1, 60) * 1000;
  }
  if (!response || response.status >= 500) {
    return Math.min(500 * 2 ** attempt, 8000) * (0.5 + Math.random() / 2);
  }
  return undefined;
}

/** A fetch that retries as the module says. */
function retrying(inner: typeof fetch, maxRetries: number): typeof fetch {
  return async (input, init) => {
    for (let attempt = 0; ; attempt++) {
      // A Request's body can be read once: each attempt sends a fresh copy.
      const request = input instanceof Request ? input.clone() : input;
      let response: Response | undefined;
      try {
        response = await inner(request, init);
      } catch (e) {
        if (attempt >= maxRetries) {
          throw new GroveError(0, "connection_failed", String(e));
        }
      }
      if (response && response.status < 400) {
        return response;
      }
      const delay = retryDelay(response, attempt);
      if (response && (delay === undefined || attempt >= maxRetries)) {
        return response;
      }
      await sleep(delay ?? 0);
    }
  };
}

type Envelope = { error?: { code?: string; message?: string; details?: Record<string, unknown> }; request_id?: string };

/** A GroveError from an error answer and its parsed envelope. */
function errorFrom(response: Response, body: unknown): GroveError {
  const envelope = (body && typeof body === "object" ? body : {}) as Envelope;
  return new GroveError(
    response.status,
    envelope.error?.code ?? "unknown",
    envelope.error?.message ?? response.statusText,
    envelope.error?.details ?? {},
    envelope.request_id ?? response.headers.get("x-request-id") ?? undefined,
  );
}

/** A GroveError from an error answer whose body has not been read. */
async function errorOf(response: Response): Promise<GroveError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    // Not JSON: the status says enough.
  }
  return errorFrom(response, body);
}

/** The data of a generated call, or its error (the envelope it parsed) thrown as a GroveError. */
async function data<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || data === undefined) {
    throw errorFrom(response, error);
  }
  return data;
}

export class Grove {
  readonly client: Client;
  private organizationId?: string;
  private readonly fetcher: typeof fetch;
  private readonly baseUrl: string;
  private readonly apiKey: string;

  constructor(options: GroveOptions = {}) {
    const apiKey = options.apiKey ?? env("GROVE_API_KEY");
    if (!apiKey) {
      throw new Error("an API key is needed: new Grove({ apiKey }) or GROVE_API_KEY");
    }
    this.apiKey = apiKey;
    this.baseUrl = (options.baseUrl ?? env("GROVE_BASE_URL") ?? "http://127.0.0.1:8080").replace(/\/+$/, "");
    this.organizationId = options.organizationId ?? env("GROVE_ORGANIZATION_ID");
    this.fetcher = retrying(options.fetch ?? globalThis.fetch, options.maxRetries ?? 2);
    this.client = createClient(
      createConfig({
        baseUrl: this.baseUrl,
        fetch: this.fetcher,
        headers: { authorization: `Bearer ${apiKey}` },
      }),
    );
  }

  /** Asks an agent: the answer, the sources it cites and the metadata. */
  query(args: { agentId: string; query: string; sessionId?: string }): Promise<QueryResponse> {
    return data(
      api.query({
        client: this.client,
        body: { agent_id: args.agentId, query: args.query, session_id: args.sessionId ?? null, stream: false },
      }),
    );
  }

  /** Asks an agent and yields the answer as it is generated, then a last event with the sources. */
  async *stream(args: { agentId: string; query: string; sessionId?: string }): AsyncGenerator<StreamEvent> {
    const response = await this.fetcher(`${this.baseUrl}/api/v1/query`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.apiKey}`, "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ agent_id: args.agentId, query: args.query, session_id: args.sessionId ?? null, stream: true }),
    });
    if (!response.ok || !response.body) {
      throw await errorOf(response);
    }
    // Server-Sent Events: `data:` lines, events separated by a blank line.
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(bytes, { stream: true });
      let end: number;
      while ((end = buffered.indexOf("\n\n")) >= 0) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const payload = block
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trimStart())
          .join("\n");
        if (payload) {
          yield JSON.parse(payload) as StreamEvent;
        }
      }
    }
  }

  /** Retrieves chunks without generation. */
  async search(query: string, options: { topK?: number; mode?: "lexical" | "vector" | "hybrid"; dataSourceIds?: string[] } = {}): Promise<SemanticSearchResults> {
    const orgId = await this.organization();
    return data(
      api.semanticSearch({
        client: this.client,
        body: {
          org_id: orgId,
          query,
          top_k: options.topK ?? null,
          mode: options.mode ?? null,
          data_source_ids: options.dataSourceIds ?? null,
        },
      }),
    );
  }

  /** The key's organisation: given, from GROVE_ORGANIZATION_ID, or read from its agents. */
  private async organization(): Promise<string> {
    if (!this.organizationId) {
      const listed = await data(api.listAgents({ client: this.client, query: { limit: 1 } }));
      const first = listed.agents[0];
      if (!first) {
        throw new Error("pass organizationId: the organisation has no agent to read it from");
      }
      this.organizationId = first.org_id;
    }
    return this.organizationId;
  }

  readonly agents = {
    list: async (page: { limit?: number; offset?: number } = {}): Promise<Agent[]> =>
      (await data(api.listAgents({ client: this.client, query: page }))).agents,
    get: (agentId: string): Promise<Agent> => data(api.getAgent({ client: this.client, path: { id: agentId } })),
  };

  readonly dataSources = {
    list: async (page: { limit?: number; offset?: number } = {}): Promise<DataSource[]> =>
      (await data(api.listDataSources({ client: this.client, query: page }))).data_sources,
  };

  readonly jobs = {
    /** Starts a job's run now; the runs started, each with its chat. */
    trigger: (jobId: string, options: { parameters?: Record<string, unknown> } = {}): Promise<Started> =>
      data(
        api.runJob({
          client: this.client,
          path: { id: jobId },
          body: { parameters: options.parameters ?? null },
        }),
      ),
    getRun: (runId: string): Promise<Run> => data(api.getRun({ client: this.client, path: { id: runId } })),
  };
}
