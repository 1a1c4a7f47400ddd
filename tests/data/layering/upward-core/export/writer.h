#pragma once

#include "replay/plan.h" // one layer: sideways
