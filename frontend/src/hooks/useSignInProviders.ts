import { useQuery } from '@tanstack/react-query';
import { fetchSignInProviders } from '@/services/providerSignIn';

/** The ways to sign in besides a password (none when the server offers none). */
export function useSignInProviders() {
  return useQuery({
    queryKey: ['auth', 'providers'],
    queryFn: fetchSignInProviders,
    retry: false,
    staleTime: Infinity,
  });
}
