import { createContext, useContext } from 'react';
import type { Me } from './api.ts';

export interface Session {
  me: Me | null;
  ready: boolean;
  refresh(): Promise<void>;
}
export const SessionContext = createContext<Session>({ me: null, ready: false, refresh: async () => {} });
export const useSession = () => useContext(SessionContext);
