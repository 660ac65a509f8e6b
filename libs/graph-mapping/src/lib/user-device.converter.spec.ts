import { userDeviceProperties } from './user-device.converter';

describe('userDeviceProperties', () => {
  it('gives sudo and sudoWithoutPassword of the binding, false where it says nothing', () => {
    expect(userDeviceProperties({ enabled: true, withoutPassword: true })).toEqual({ sudo: true, sudoWithoutPassword: true });
    expect(userDeviceProperties({ enabled: true, withoutPassword: null })).toEqual({ sudo: true, sudoWithoutPassword: false });
    expect(userDeviceProperties(undefined)).toEqual({ sudo: false, sudoWithoutPassword: false });
  });
});
