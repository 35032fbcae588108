import { api, unwrap } from './http';
import type { Role, User, UserCreate } from './types';

export function listUsers(): Promise<User[]> {
  return unwrap(api.GET('/api/v1/users'));
}

export function createUser(body: UserCreate): Promise<User> {
  return unwrap(api.POST('/api/v1/users', { body }));
}

export function changeUserRole(userId: string, role: Role): Promise<User> {
  return unwrap(
    api.PATCH('/api/v1/users/{user_id}', {
      params: { path: { user_id: userId } },
      body: { role },
    }),
  );
}

export function deactivateUser(userId: string): Promise<User> {
  return unwrap(
    api.POST('/api/v1/users/{user_id}/deactivate', { params: { path: { user_id: userId } } }),
  );
}

export function reactivateUser(userId: string): Promise<User> {
  return unwrap(
    api.POST('/api/v1/users/{user_id}/reactivate', { params: { path: { user_id: userId } } }),
  );
}

/** Mails the user a link to choose a new password. */
export async function sendPasswordReset(userId: string): Promise<void> {
  await unwrap(
    api.POST('/api/v1/users/{user_id}/password-reset', {
      params: { path: { user_id: userId } },
    }),
  );
}
