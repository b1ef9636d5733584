import { ConfigError } from '../errors.ts';
import type { TokenStore } from '../ports.ts';

/** A token handed in by the caller (an environment variable): read only, never replaced. */
export function fixedToken(token: string): TokenStore {
  return {
    get: async () => token,
    put: async () => {
      throw new ConfigError('this token comes from the environment and cannot be replaced here');
    },
  };
}
