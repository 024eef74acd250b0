// Who may log in to the chat. The chat needs only this small interface, so any user store can
// stand behind it (the account example's, a database); DemoUsers keeps a few in memory.
import { hashPassword, type ScryptCost, verifyPassword } from 'microdot-ts/auth';

/** A chat user. */
export interface ChatUser {
  id: string;
  name: string;
}

/** What the chat asks of a user store. */
export interface ChatUsers {
  /** The user with this id, if any (the login's user loader). */
  find(id: string): ChatUser | undefined | Promise<ChatUser | undefined>;
  /** The user whose name and password these are, if any. */
  check(name: string, password: string): Promise<ChatUser | undefined>;
}

/** Users in memory, with scrypt-hashed passwords. */
export class DemoUsers implements ChatUsers {
  readonly #users = new Map<string, { user: ChatUser; hash: string }>();
  /** A hash of the same cost that no password matches: checked for unknown names, so the time
   * a login takes does not tell which names exist. */
  #nobody = '';

  /** Builds the store from `name → password` (hashed here). */
  static async create(passwords: Record<string, string>, cost?: ScryptCost): Promise<DemoUsers> {
    const users = new DemoUsers();
    users.#nobody = await hashPassword(`no one ${Math.random()}`, cost);
    for (const [name, password] of Object.entries(passwords)) {
      users.#users.set(name.toLowerCase(), {
        user: { id: name.toLowerCase(), name },
        hash: await hashPassword(password, cost),
      });
    }
    return users;
  }

  find(id: string): ChatUser | undefined {
    return this.#users.get(id)?.user;
  }

  async check(name: string, password: string): Promise<ChatUser | undefined> {
    const entry = this.#users.get(name.trim().toLowerCase());
    const ok = await verifyPassword(password, entry?.hash ?? this.#nobody);
    return ok && entry !== undefined ? entry.user : undefined;
  }
}
