#pragma once

#include "model/delivery.h"
#include "receiver/receiver.h" // a store that knows the receiver: upward
