// The inference stepper's N-API functions (step_addon.cc), added to the addon's exports by Init.
#pragma once
#include <node_api.h>

void rk_register_step(napi_env env, napi_value exports);
