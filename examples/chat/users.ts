// Who may log in to the chat: the account example's users (examples/account/users.ts), in
// memory or in its SQLite file, so an account registered there can chat here. The chat itself
// needs only the small ChatUsers interface below, so any user store can stand behind it.
import { hashPassword, type ScryptCost, verifyPassword } from 'microdot-ts/auth';
import { MemoryUsers, type Users } from '../account/users.js';

/** A chat user. */
export interface ChatUser {
  id: string;
  name: string;
}

/** What the chat asks of a user store. */
export interface ChatUsers {
  /** The user with this id, if any (the login's user loader). */
  find(id: string): Promise<ChatUser | undefined>;
  /** The user whose name and password these are, if any. */
  check(name: string, password: string): Promise<ChatUser | undefined>;
}

/**
 * The account example's users as chat users. An unknown name still costs one password check
 * (against a hash of the same cost that nothing matches), so timing does not tell which names
 * exist.
 */
export async function accountChatUsers(users: Users, cost?: ScryptCost): Promise<ChatUsers> {
  const nobody = await hashPassword(`no one ${Math.random()}`, cost);
  const toChat = (user: { id: number; name: string }): ChatUser => ({
    id: String(user.id),
    name: user.name,
  });
  return {
    async find(id) {
      const user = /^\d+$/.test(id) ? await users.byId(Number(id)) : undefined;
      return user && toChat(user);
    },
    async check(name, password) {
      const user = await users.byName(name.trim());
      const ok = await verifyPassword(password, user?.passwordHash ?? nobody);
      return ok && user !== undefined ? toChat(user) : undefined;
    },
  };
}

/** Demo accounts in memory (the account example's MemoryUsers), from `name → password`. */
export const DemoUsers = {
  async create(passwords: Record<string, string>, cost?: ScryptCost): Promise<ChatUsers> {
    const users = new MemoryUsers();
    for (const [name, password] of Object.entries(passwords)) {
      await users.add(name, await hashPassword(password, cost));
    }
    return accountChatUsers(users, cost);
  },
};
