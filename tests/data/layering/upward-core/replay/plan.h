#pragma once

#include "store/reader.h"
