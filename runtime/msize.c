/*
 * msize.c — gort's size classes (Go's msize.go and sizeclasses.go).
 *
 * The numbers come from sizeclasses.h, which runtime/mksizeclasses.c
 * generates from Go's rule (12.5 % rounding waste, 12.5 % tail waste per
 * span); see that program for the rule and `make update-sizeclasses` to
 * regenerate.  size_to_class() in internal.h maps a request to its class
 * with two table lookups: by 8-byte steps up to 1 KB, by 128-byte steps up
 * to 32 KB.
 */
#include "internal.h"

const uint16_t class_to_size[NUM_SIZE_CLASSES] = CLASS_TO_SIZE_INIT;
const uint8_t class_to_allocnpages[NUM_SIZE_CLASSES] = CLASS_TO_ALLOCNPAGES_INIT;
const uint32_t class_to_divmagic[NUM_SIZE_CLASSES] = CLASS_TO_DIVMAGIC_INIT;
const uint8_t size_to_class8[SMALL_SIZE_MAX / SMALL_SIZE_DIV + 1] = SIZE_TO_CLASS8_INIT;
const uint8_t size_to_class128[(MAX_SMALL_SIZE - SMALL_SIZE_MAX) / LARGE_SIZE_DIV + 1] =
        SIZE_TO_CLASS128_INIT;
