type Payload = Record<string, unknown> & { grantId?: string; uid?: string; userCode?: string; consumed?: number };

type Entry = { payload: Payload; expiresAt: number };

/**
 * oidc-provider storage kept in this process (codes, tokens, sessions, interactions vanish on restart).
 * Unlike oidc-provider's bundled development adapter it never evicts a live entry to make room, and it
 * does not print a warning on every start.
 */
export function createMemoryAdapterFactory(): (model: string) => MemoryAdapter {
  const entries = new Map<string, Entry>();
  const grants = new Map<string, Set<string>>();
  let writes = 0;

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const sweep = () => {
    const now = Date.now();
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
    for (const [grantId, keys] of grants) {
      for (const key of keys) if (!entries.has(key)) keys.delete(key);
      if (keys.size === 0) grants.delete(grantId);
    }
  };

  return (model: string) => new MemoryAdapter(model, entries, grants, live, () => {
    writes += 1;
    if (writes % 512 === 0) sweep();
  });
}

export class MemoryAdapter {
  #model: string;
  #entries: Map<string, Entry>;
  #grants: Map<string, Set<string>>;
  #live: (key: string) => Entry | undefined;
  #wrote: () => void;

  constructor(
    model: string,
    entries: Map<string, Entry>,
    grants: Map<string, Set<string>>,
    live: (key: string) => Entry | undefined,
    wrote: () => void,
  ) {
    this.#model = model;
    this.#entries = entries;
    this.#grants = grants;
    this.#live = live;
    this.#wrote = wrote;
  }

  #key(id: string): string {
    return `${this.#model}:${id}`;
  }

  async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
    const key = this.#key(id);
    const expiresAt = typeof expiresIn === "number" ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
    this.#entries.set(key, { payload: structuredClone(payload), expiresAt });
    if (payload.uid) this.#entries.set(`${this.#model}:uid:${payload.uid}`, { payload: { id }, expiresAt });
    if (payload.userCode) this.#entries.set(`${this.#model}:userCode:${payload.userCode}`, { payload: { id }, expiresAt });
    if (payload.grantId) {
      const keys = this.#grants.get(payload.grantId) ?? new Set<string>();
      keys.add(key);
      this.#grants.set(payload.grantId, keys);
    }
    this.#wrote();
  }

  async find(id: string): Promise<Payload | undefined> {
    const entry = this.#live(this.#key(id));
    return entry ? structuredClone(entry.payload) : undefined;
  }

  async findByUid(uid: string): Promise<Payload | undefined> {
    const pointer = this.#live(`${this.#model}:uid:${uid}`);
    return typeof pointer?.payload.id === "string" ? this.find(pointer.payload.id) : undefined;
  }

  async findByUserCode(userCode: string): Promise<Payload | undefined> {
    const pointer = this.#live(`${this.#model}:userCode:${userCode}`);
    return typeof pointer?.payload.id === "string" ? this.find(pointer.payload.id) : undefined;
  }

  async consume(id: string): Promise<void> {
    const entry = this.#live(this.#key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.#entries.delete(this.#key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const key of this.#grants.get(grantId) ?? []) this.#entries.delete(key);
    this.#grants.delete(grantId);
  }
}
