#pragma once
// A core file that must be refused by the layering check.
#include <QWidget>
