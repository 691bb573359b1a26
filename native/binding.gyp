{
  "targets": [
    {
      "target_name": "rnnkit_native",
      "sources": [
        "src/addon.cc",
        "src/dispatch.cc",
        "src/kernels_scalar.cc",
        "src/kernels_avx2.cc",
        "src/kernels_avx512.cc",
        "src/step_addon.cc"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags": ["-O3", "-fno-math-errno", "-fvisibility=hidden", "-Wno-maybe-uninitialized"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fvisibility=hidden", "-Wno-maybe-uninitialized"],
      "defines": ["NAPI_VERSION=8"],
      "ldflags": ["-pthread"]
    }
  ]
}
