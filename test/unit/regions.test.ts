import { describe, expect, it } from 'vitest'
import { ancestry, childLevel, codeAtLevel, depthOf, isWithin, levelOf, parentOf } from '#core/regions.js'

describe('region codes', () => {
  it('knows the level from the length', () => {
    expect(levelOf('3201')).toBe('city')
    expect(levelOf('320102')).toBe('district')
    expect(levelOf('320102002')).toBe('street')
    expect(levelOf('320102002001')).toBe('community')
    expect(levelOf('320102002001003')).toBe('grid')
    expect(levelOf('32010')).toBeUndefined()
    expect(levelOf('32010a')).toBeUndefined()
    expect(levelOf('')).toBeUndefined()
  })

  it('rolls a code up by prefix', () => {
    expect(parentOf('320102002001003')).toBe('320102002001')
    expect(parentOf('320102')).toBe('3201')
    expect(parentOf('3201')).toBeNull()
    expect(codeAtLevel('320102002001003', 'street')).toBe('320102002')
    expect(codeAtLevel('320102', 'street')).toBeUndefined()
    expect(ancestry('320102002001003')).toEqual(['3201', '320102', '320102002', '320102002001', '320102002001003'])
    expect(ancestry('320102')).toEqual(['3201', '320102'])
  })

  it('answers containment as a prefix', () => {
    expect(isWithin('320102002001003', '320102')).toBe(true)
    expect(isWithin('320104001001001', '320102')).toBe(false)
    expect(isWithin('3201', '3201')).toBe(true)
  })

  it('orders levels', () => {
    expect(childLevel('community')).toBe('grid')
    expect(childLevel('grid')).toBeUndefined()
    expect(depthOf('city')).toBe(1)
    expect(depthOf('grid')).toBe(5)
  })
})
