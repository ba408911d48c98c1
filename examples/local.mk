# examples/local.mk — the escape cases a..q as small runnable programs (the
# demo's workload): each holds the escaping and the non-escaping form of its
# case in clearly named functions.  Real static binaries (gort is linked
# statically, see runtime/local.mk), built by `make`; tests/examples.sh runs
# them all.
examples_programs = \
	examples/a_return_pointer \
	examples/b_closure_counter \
	examples/c_goroutine_capture \
	examples/d_interface_param \
	examples/e_make_slice \
	examples/f_slice_interface \
	examples/g_map_interface_value \
	examples/h_map_interface_key \
	examples/i_map_slice_value \
	examples/j_slice_of_pointers \
	examples/k_func_value_call \
	examples/l_chan_of_slice \
	examples/m_new_int \
	examples/n_small_struct \
	examples/o_large_object \
	examples/p_goroutine_leak \
	examples/q_growing_cache

noinst_PROGRAMS += $(examples_programs)
noinst_HEADERS += examples/example.h

# One stanza per program: automake wants per-program flags spelled out.
examples_a_return_pointer_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
examples_a_return_pointer_LDADD = $(gort_ldadd)
examples_a_return_pointer_LDFLAGS = $(gort_prog_ldflags)
examples_b_closure_counter_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
examples_b_closure_counter_LDADD = $(gort_ldadd)
examples_b_closure_counter_LDFLAGS = $(gort_prog_ldflags)
examples_c_goroutine_capture_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
examples_c_goroutine_capture_LDADD = $(gort_ldadd)
examples_c_goroutine_capture_LDFLAGS = $(gort_prog_ldflags)
examples_d_interface_param_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
examples_d_interface_param_LDADD = $(gort_ldadd)
examples_d_interface_param_LDFLAGS = $(gort_prog_ldflags)
examples_e_make_slice_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
examples_e_make_slice_LDADD = $(gort_ldadd)
examples_e_make_slice_LDFLAGS = $(gort_prog_ldflags)
examples_f_slice_interface_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
examples_f_slice_interface_LDADD = $(gort_ldadd)
examples_f_slice_interface_LDFLAGS = $(gort_prog_ldflags)
examples_g_map_interface_value_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
examples_g_map_interface_value_LDADD = $(gort_ldadd)
examples_g_map_interface_value_LDFLAGS = $(gort_prog_ldflags)
examples_h_map_interface_key_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
examples_h_map_interface_key_LDADD = $(gort_ldadd)
examples_h_map_interface_key_LDFLAGS = $(gort_prog_ldflags)
examples_i_map_slice_value_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
examples_i_map_slice_value_LDADD = $(gort_ldadd)
examples_i_map_slice_value_LDFLAGS = $(gort_prog_ldflags)
examples_j_slice_of_pointers_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
examples_j_slice_of_pointers_LDADD = $(gort_ldadd)
examples_j_slice_of_pointers_LDFLAGS = $(gort_prog_ldflags)
examples_k_func_value_call_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
examples_k_func_value_call_LDADD = $(gort_ldadd)
examples_k_func_value_call_LDFLAGS = $(gort_prog_ldflags)
examples_l_chan_of_slice_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
examples_l_chan_of_slice_LDADD = $(gort_ldadd)
examples_l_chan_of_slice_LDFLAGS = $(gort_prog_ldflags)
examples_m_new_int_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
examples_m_new_int_LDADD = $(gort_ldadd)
examples_m_new_int_LDFLAGS = $(gort_prog_ldflags)
examples_n_small_struct_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
examples_n_small_struct_LDADD = $(gort_ldadd)
examples_n_small_struct_LDFLAGS = $(gort_prog_ldflags)
examples_o_large_object_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
examples_o_large_object_LDADD = $(gort_ldadd)
examples_o_large_object_LDFLAGS = $(gort_prog_ldflags)
examples_p_goroutine_leak_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
examples_p_goroutine_leak_LDADD = $(gort_ldadd)
examples_p_goroutine_leak_LDFLAGS = $(gort_prog_ldflags)
examples_q_growing_cache_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
examples_q_growing_cache_LDADD = $(gort_ldadd)
examples_q_growing_cache_LDFLAGS = $(gort_prog_ldflags)
include examples/demo.mk
