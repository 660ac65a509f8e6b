import { type SudoGrant } from '@jumpcloud-graph/domain';

/**
 * The properties of a jumpcloud_user_uses_device edge: administrator rights on that device, from
 * the binding's own `attributes.sudo` (false where the binding says nothing). Rights a user gets
 * through a user group bound to the device are the group's, and not expanded here.
 */
export function userDeviceProperties(sudo: SudoGrant | undefined): { sudo: boolean; sudoWithoutPassword: boolean } {
  return { sudo: sudo?.enabled === true, sudoWithoutPassword: sudo?.withoutPassword === true };
}
