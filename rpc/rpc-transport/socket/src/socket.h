/*
 * The socket transport kind: TCP and unix-domain stream sockets carrying
 * record-marked RPC messages, on the event pool. It is reached through the
 * generic functions of transport.h (which choose it for "tcp:" and "unix:"
 * specs); this header only exposes its vtable.
 */
#ifndef RPC_SOCKET_H
#define RPC_SOCKET_H

#include "transport.h"

extern const rpc_transport_ops_t rpc_socket_ops;

#endif
