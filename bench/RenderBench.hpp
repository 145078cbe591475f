// `safetwin bench render`: frames per second of the offscreen renderer at 1920x1080 with
// 10,000 and 100,000 people spread over the walkable floors of the Office_A model from
// ../shared/data/bim, one JSON object per line per case (agents, width, height, renderer,
// fps, ...). Skips, saying so in its line, when the model is missing.
#pragma once

namespace safetwin {

/// `quick`: one small case (a smoke test). Returns 0, or 1 if no OpenGL context.
int runRenderBench(bool quick);

}  // namespace safetwin
