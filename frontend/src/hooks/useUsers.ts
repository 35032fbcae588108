import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  changeUserRole,
  createUser,
  deactivateUser,
  listUsers,
  reactivateUser,
  sendPasswordReset,
} from '@/services/users';
import type { Role, UserCreate } from '@/services/types';
import { keys } from './keys';

export function useUsers() {
  return useQuery({ queryKey: keys.users, queryFn: listUsers });
}

/** A change to the users: the users and the staff (who cases go to) are read again. */
function useUserChange<T, R>(change: (variables: T) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.users });
      void qc.invalidateQueries({ queryKey: keys.staff });
    },
  });
}

export function useCreateUser() {
  return useUserChange((body: UserCreate) => createUser(body));
}

export function useDeactivateUser() {
  return useUserChange((userId: string) => deactivateUser(userId));
}

export function useReactivateUser() {
  return useUserChange((userId: string) => reactivateUser(userId));
}

export function useChangeUserRole() {
  return useUserChange(({ userId, role }: { userId: string; role: Role }) =>
    changeUserRole(userId, role),
  );
}

/** Changes nothing on the list: the mail is the whole effect. */
export function useSendPasswordReset() {
  return useMutation({ mutationFn: (userId: string) => sendPasswordReset(userId) });
}
