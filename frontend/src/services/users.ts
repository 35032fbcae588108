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
