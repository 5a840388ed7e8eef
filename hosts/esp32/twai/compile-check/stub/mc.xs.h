enum { xsID_transmit = 1, xsID_receive, xsID_bitRate, xsID_listenOnly, xsID_code, xsID_mask, xsID_single, xsID_rxQueueLength, xsID_onReadable, xsID_onError };
