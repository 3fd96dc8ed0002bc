import type { LogLossModel } from './log-loss';
import { samplePacket, type PacketPoints, type PacketSamplingOptions } from './packet-sampler';
import type { PacketStatistics } from './packet-statistics';
import { summarisePacket, type PacketReport } from './packet-summary';

export interface PacketEstimate {
  statistics: PacketStatistics;
  report: PacketReport;
}

/** The packet estimator of spec §2 at one σ: sample (this shard), then summarise its statistics. */
export async function estimatePacket(
  model: LogLossModel,
  points: PacketPoints,
  options: PacketSamplingOptions,
): Promise<PacketEstimate> {
  const statistics = await samplePacket(model, points, options);
  return { statistics, report: summarisePacket(statistics) };
}
