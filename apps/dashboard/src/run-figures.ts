// The paper's figures of a run (libs/report), drawn from the training-service's run record — epochs and
// embedding snapshots — so the dashboard shows them in every mode, also after it restarts.
import { status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import type { TrainingClient } from '@conjugate/clients';
import { FIGURE_STEMS, reportFigures, type FigureStem } from '@conjugate/report';

export type FigureAnswer = { svg: string } | { status: 404 | 503; error: string };

/** One figure of one run as SVG; 404 for an unknown figure or run, 503 when the training-service cannot say. */
export async function runFigure(training: TrainingClient | undefined, runId: string, stem: string, regionClass = 8): Promise<FigureAnswer> {
  if (!isFigureStem(stem)) return { status: 404, error: `no figure "${stem.slice(0, 40)}" (figures: ${FIGURE_STEMS.join(', ')})` };
  if (!training) return { status: 503, error: 'this dashboard has no training-service address (TRAINING_SERVICE_ADDRESS): figures are drawn from its run records' };
  try {
    const [run, snapshots] = await Promise.all([training.getRun(runId), training.getEmbeddingSnapshots(runId)]);
    // Draws only the figure asked for (all of Figure 1's parts are drawn together).
    return { svg: reportFigures(run, snapshots, { regionClass }, [stem])[stem] };
  } catch (error) {
    const e = error as ServiceError;
    if (e.code === grpcStatus.NOT_FOUND || e.code === grpcStatus.INVALID_ARGUMENT) return { status: 404, error: e.details || e.message };
    return { status: 503, error: `training-service: ${e.details || e.message}` };
  }
}

const isFigureStem = (stem: string): stem is FigureStem => (FIGURE_STEMS as readonly string[]).includes(stem);
