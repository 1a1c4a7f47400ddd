#pragma once

#include "receiver/receiver.h" // a store that knows the receiver: upward
#include "model/delivery.h"
