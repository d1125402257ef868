/** Joules in a kilowatt-hour. */
const joulesPerKwh = 3_600_000;

/**
 * What generating 1M tokens costs in electricity on this machine: the time it takes at the measured
 * decode speed, times the power drawn, times the price of energy. Null without a measured speed.
 */
export function localCostPer1MTokens(decodeTokensPerSecond: number | null, watts: number, pricePerKwh: number): number | null {
  if (!decodeTokensPerSecond || decodeTokensPerSecond <= 0) return null;
  const seconds = 1_000_000 / decodeTokensPerSecond;
  return ((seconds * watts) / joulesPerKwh) * pricePerKwh;
}
