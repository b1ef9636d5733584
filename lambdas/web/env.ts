import type { Device } from './auth/tokens.ts';
import type { SigningKey } from './ports.ts';

/** Per-request values set by the device check, read by the pages. */
export interface WebEnv {
  Variables: {
    device: Device;
    key: SigningKey;
    /** The CSRF token every form of this device carries. */
    csrf: string;
  };
}
