// The chat room: who is connected (a user may have several tabs), the last messages, and who
// wants to hear when the list of people online changes. No I/O of its own: sockets and event
// streams are handed in as small interfaces.

/** A message as the room keeps and sends it (as JSON; browsers show it as text). */
export interface ChatMessage {
  from: string;
  text: string;
  at: number;
}

/** Where a message can be sent (a WebSocket). */
export interface Outlet {
  send(data: string): Promise<void>;
}

/** Longest message kept, in characters; longer ones are cut. */
export const MAX_TEXT = 500;
/** Messages kept for people who join. */
const HISTORY = 50;

export class ChatRoom {
  readonly #members = new Map<string, Set<Outlet>>();
  readonly #history: ChatMessage[] = [];
  readonly #watchers = new Set<(online: string[]) => void>();

  /** The last messages, oldest first. */
  get history(): readonly ChatMessage[] {
    return this.#history;
  }

  /** The names of the people connected, sorted. */
  get online(): string[] {
    return [...this.#members.keys()].sort((a, b) => a.localeCompare(b));
  }

  /** `name` connected through `outlet`; returns what to call when it disconnects. */
  join(name: string, outlet: Outlet): () => void {
    let outlets = this.#members.get(name);
    const first = outlets === undefined;
    if (outlets === undefined) {
      outlets = new Set();
      this.#members.set(name, outlets);
    }
    outlets.add(outlet);
    if (first) this.#changed();
    return () => {
      const set = this.#members.get(name);
      if (set === undefined || !set.delete(outlet)) return;
      if (set.size === 0) {
        this.#members.delete(name);
        this.#changed();
      }
    };
  }

  /** Sends a message from `name` to everyone connected (the sender included). */
  say(name: string, text: string): ChatMessage | undefined {
    const clean = [...text.trim()].slice(0, MAX_TEXT).join('');
    if (clean === '') return undefined;
    const message: ChatMessage = { from: name, text: clean, at: Date.now() };
    this.#history.push(message);
    if (this.#history.length > HISTORY) this.#history.shift();
    const data = JSON.stringify(message);
    for (const outlets of this.#members.values()) {
      // A socket that is closing rejects; it is about to leave the room anyway.
      for (const outlet of outlets) outlet.send(data).catch(() => {});
    }
    return message;
  }

  /** Calls `watcher` with the online list now and on every change; returns how to stop. */
  watch(watcher: (online: string[]) => void): () => void {
    this.#watchers.add(watcher);
    watcher(this.online);
    return () => {
      this.#watchers.delete(watcher);
    };
  }

  #changed(): void {
    const online = this.online;
    for (const watcher of this.#watchers) watcher(online);
  }
}
