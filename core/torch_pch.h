#pragma once
// Precompiled header for torch-heavy translation units (core, app, tests reuse it).
#include <torch/torch.h>
