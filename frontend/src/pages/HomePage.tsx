import { useMe } from '@/hooks/useSession';
import { isStaff } from '@/services/types';
import { AgentHome } from './home/AgentHome';
import { CustomerHome } from './home/CustomerHome';

export function HomePage() {
  const me = useMe();
  return isStaff(me.role) ? <AgentHome /> : <CustomerHome />;
}
