import { describe, expect, it } from 'vitest'
import { parseIpAddr, parseIpLink } from '../../../../../agent/gatherers/network/ip-json.js'
import { effectivePolicy, networkConfigSchema } from '../../../../../agent/gatherers/network/network-config.js'
import { buildInterfaces } from '../../../../../agent/gatherers/network/network-zones.js'
import { checkVlanRequirements } from '../../../../../agent/gatherers/network/vlan-requirements.js'
import { fixture } from './fixture.js'

describe('checkVlanRequirements on a bonded hypervisor', () => {
  const config = networkConfigSchema.parse({
    role: 'hypervisor',
    roles: { hypervisor: { requiredVlans: [100, 200, 300, 400], requiredNetworks: ['storage', 'backup'] } },
    networks: [
      { name: 'storage', zone: 'private', vlanIds: [200] },
      { name: 'backup', zone: 'private', cidrs: ['10.40.0.0/16'] },
    ],
  })
  const policy = effectivePolicy(config)
  const interfaces = buildInterfaces(parseIpLink(fixture('ip-d-j-link-show.bond-vlan.composed.json'))!, parseIpAddr(fixture('ip-j-addr-show.bond-vlan.composed.json')), policy.networks)

  it('finds VLANs by id on the bond, tells a down VLAN from a missing one, and finds networks through bridges', () => {
    expect(checkVlanRequirements(interfaces, policy).map((r) => [r.target, r.present, r.up, r.interfaces])).toEqual([
      ['vlan 100', true, true, ['bond0.100']],
      ['vlan 200', true, true, ['bond0.200']],
      ['vlan 300', true, false, ['bond0.300']],
      ['vlan 400', false, false, []],
      ['network storage', true, true, ['bond0.200', 'vmbr200']],
      ['network backup', false, false, []],
    ])
  })

  it('requires nothing without a policy', () => {
    expect(checkVlanRequirements(interfaces, effectivePolicy(networkConfigSchema.parse({})))).toEqual([])
  })
})
